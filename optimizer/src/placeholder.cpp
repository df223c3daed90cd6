// Empty stand-in until the first pass lands; delete it then.
