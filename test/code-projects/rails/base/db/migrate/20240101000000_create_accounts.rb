class CreateAccounts < ActiveRecord::Migration[6.1]
  def change
    create_table :accounts do |t|
      t.text :email, null: false
      t.integer :score, null: false, default: 0
    end
  end
end
