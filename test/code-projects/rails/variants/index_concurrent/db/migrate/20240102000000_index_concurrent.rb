class IndexConcurrent < ActiveRecord::Migration[6.1]
  # CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
  disable_ddl_transaction!

  def change
    add_index :accounts, :score, name: "accounts_score_idx", algorithm: :concurrently
  end
end
