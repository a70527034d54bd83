"""Developer tooling outside the site: the embedded PostgreSQL/Redis launcher behind
`make run` and `make test`. The site never imports this package."""
