'use strict';

// sequelize-cli runs a migration outside any transaction unless it opens one itself, which
// CREATE INDEX CONCURRENTLY needs: no transaction here.
/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.addIndex('accounts', ['score'], { name: 'accounts_score_idx', concurrently: true });
  },

  async down(queryInterface) {
    await queryInterface.removeIndex('accounts', 'accounts_score_idx', { concurrently: true });
  },
};
