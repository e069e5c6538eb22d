"""One module per area of the site; each exposes `routes`."""
