"""Services: one module per capability, one function per use case (load, call the domain, commit)."""
