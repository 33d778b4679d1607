// Test-process settings read at import time: a cheaper argon2 cost (the suite creates hundreds of
// users; production keeps argon2's defaults). Child processes the tests spawn inherit them.
process.env.ARGON2_MEMORY_KIB ??= '4096';
process.env.ARGON2_TIME_COST ??= '1';
