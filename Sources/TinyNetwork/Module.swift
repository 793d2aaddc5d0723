import COpenBLAS
// Module TinyNetwork: see Package.swift for its place in the module map.
