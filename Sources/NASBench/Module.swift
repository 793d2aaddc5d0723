// Module NASBench: see Package.swift for its place in the module map.
