"""The strangler-fig gateway: route matching and the local fleet of upstream processes."""
