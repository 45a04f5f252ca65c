"""The money: its rules as plain functions (ledger), the one writer of the journal (journal), every
read of it (balances), and the steps of a loan's life (loan_status)."""
