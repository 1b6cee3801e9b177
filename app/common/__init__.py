"""Small pieces every domain uses: time helpers, column types, domain errors."""
