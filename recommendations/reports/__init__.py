"""Documents written from the tracker's figures (plain data in, files out)."""
