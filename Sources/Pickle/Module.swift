// Module Pickle: see Package.swift for its place in the module map.
