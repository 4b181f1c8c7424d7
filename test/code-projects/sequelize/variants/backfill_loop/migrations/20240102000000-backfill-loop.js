'use strict';

const BATCH_SIZE = 1000;

// Add 1 to every account's score, 1,000 ids at a time, in id order.
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    const { sequelize } = queryInterface;
    let lastId = 0;
    for (;;) {
      const rows = await sequelize.query('SELECT id FROM accounts WHERE id > :lastId ORDER BY id LIMIT :limit', {
        replacements: { lastId, limit: BATCH_SIZE },
        type: Sequelize.QueryTypes.SELECT,
      });
      const batch = rows.map((row) => row.id);
      if (batch.length === 0) break;
      await sequelize.query('UPDATE accounts SET score = score + 1 WHERE id IN (:batch)', {
        replacements: { batch },
      });
      lastId = batch[batch.length - 1];
      if (batch.length < BATCH_SIZE) break;
    }
  },

  async down(queryInterface) {
    await queryInterface.sequelize.query('UPDATE accounts SET score = score - 1');
  },
};
