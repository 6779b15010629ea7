// Module graph.
