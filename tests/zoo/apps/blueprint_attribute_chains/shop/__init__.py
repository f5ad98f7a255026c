"""A small shop: a public catalogue, customer accounts and a back office."""
