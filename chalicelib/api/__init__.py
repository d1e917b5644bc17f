"""HTTP concerns: authentication, request schemas, error mapping, response shaping."""
