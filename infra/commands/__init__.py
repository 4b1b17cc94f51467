"""One module per gm-infra command (or command group); ``registry`` assembles them."""
