package merge

// ArenaChunk is how many children pointers one allocation holds.
const ArenaChunk = arenaChunk
