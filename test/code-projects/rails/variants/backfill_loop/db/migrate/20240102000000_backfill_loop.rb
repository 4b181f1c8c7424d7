class BackfillLoop < ActiveRecord::Migration[6.1]
  # A model of the migration's own, so the migration does not depend on app code.
  class Account < ActiveRecord::Base
    self.table_name = "accounts"
  end

  def up
    # in_batches selects the next 1,000 ids in id order, then runs one UPDATE ... WHERE id IN (...).
    Account.in_batches(of: 1000) do |batch|
      batch.update_all("score = score + 1")
    end
  end

  def down
    Account.in_batches(of: 1000) do |batch|
      batch.update_all("score = score - 1")
    end
  end
end
