"""The forms, one module per area. Forms validate; the views write. This package defines nothing itself."""
