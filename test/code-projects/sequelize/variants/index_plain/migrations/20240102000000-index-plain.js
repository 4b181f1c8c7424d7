'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    await queryInterface.addIndex('accounts', ['score'], { name: 'accounts_score_idx' });
  },

  async down(queryInterface) {
    await queryInterface.removeIndex('accounts', 'accounts_score_idx');
  },
};
