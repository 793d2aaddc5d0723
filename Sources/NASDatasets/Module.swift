import CPNG
import CTurboJPEG
import CZlib
// Module NASDatasets: see Package.swift for its place in the module map.
internal let _pngVersion = png_access_version_number()
