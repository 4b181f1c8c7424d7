class IndexPlain < ActiveRecord::Migration[6.1]
  def change
    add_index :accounts, :score, name: "accounts_score_idx"
  end
end
