// The database comes from DATABASE_URL, as most Knex projects read it.
module.exports = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  migrations: { directory: './migrations' },
};
