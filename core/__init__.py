"""The domain: models and the rules of the one-stop desk. Never touches the request."""
