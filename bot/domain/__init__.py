"""Domain models shared by the engine, storage and packs; nothing here reads files or talks to Discord."""
