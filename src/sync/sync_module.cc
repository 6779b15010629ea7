// Module sync.
