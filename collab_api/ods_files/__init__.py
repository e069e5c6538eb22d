"""The national ODS data files (CSV extracts with no header row): where each column is."""
