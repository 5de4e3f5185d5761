"""graph: the graph model, its stores (embedded SQLite, Neo4j), analytics and export."""
