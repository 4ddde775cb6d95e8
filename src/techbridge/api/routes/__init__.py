"""One module per resource; ``ROUTERS`` lists them in the order the OpenAPI document shows them."""
