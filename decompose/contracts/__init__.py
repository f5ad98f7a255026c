"""SLA contracts: exchanges recorded from the monolith, compared against any target."""
