const BATCH_SIZE = 1000;

// Add 1 to every account's score, 1,000 ids at a time, in id order.
exports.up = async function (knex) {
  let lastId = 0;
  for (;;) {
    const batch = await knex('accounts').where('id', '>', lastId).orderBy('id').limit(BATCH_SIZE).pluck('id');
    if (batch.length === 0) break;
    await knex('accounts').whereIn('id', batch).increment('score', 1);
    lastId = batch[batch.length - 1];
    if (batch.length < BATCH_SIZE) break;
  }
};

exports.down = function (knex) {
  return knex('accounts').decrement('score', 1);
};
