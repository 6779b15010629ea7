// Module store.
