// Module Verify: see Package.swift for its place in the module map.
