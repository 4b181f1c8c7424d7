// A data migration in code: fill email_lower 1,000 users at a time, in id order.
const BATCH = 1000;

exports.up = async (knex) => {
  let last = 0;
  for (;;) {
    const ids = await knex('users').where('id', '>', last).orderBy('id').limit(BATCH).pluck('id');
    if (ids.length === 0) return;
    await knex('users').whereIn('id', ids).update({ email_lower: knex.raw('lower(email)') });
    last = ids[ids.length - 1];
  }
};

exports.down = (knex) => knex('users').update({ email_lower: null });
