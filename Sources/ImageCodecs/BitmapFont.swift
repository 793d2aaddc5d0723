/// A 3x5-pixel font (digits, upper-case letters, a few signs) for labels on the
/// preview contact sheet; lower-case is drawn as upper-case. Each glyph is five rows
/// of three pixels, top to bottom, `#` = ink.
public enum BitmapFont {
    public static let glyphWidth = 3
    public static let glyphHeight = 5
    /// Horizontal distance from one character to the next.
    public static let advance = 4

    private static let source: [Character: String] = [
        "0": "### #.# #.# #.# ###", "1": ".#. ##. .#. .#. ###", "2": "### ..# ### #.. ###",
        "3": "### ..# .## ..# ###", "4": "#.# #.# ### ..# ..#", "5": "### #.. ### ..# ###",
        "6": "### #.. ### #.# ###", "7": "### ..# .#. .#. .#.", "8": "### #.# ### #.# ###",
        "9": "### #.# ### ..# ###",
        "A": ".#. #.# ### #.# #.#", "B": "##. #.# ##. #.# ##.", "C": ".## #.. #.. #.. .##",
        "D": "##. #.# #.# #.# ##.", "E": "### #.. ##. #.. ###", "F": "### #.. ##. #.. #..",
        "G": ".## #.. #.# #.# .##", "H": "#.# #.# ### #.# #.#", "I": "### .#. .#. .#. ###",
        "J": "..# ..# ..# #.# .#.", "K": "#.# #.# ##. #.# #.#", "L": "#.. #.. #.. #.. ###",
        "M": "#.# ### ### #.# #.#", "N": "##. #.# #.# #.# #.#", "O": ".#. #.# #.# #.# .#.",
        "P": "##. #.# ##. #.. #..", "Q": ".#. #.# #.# ### .##", "R": "##. #.# ##. #.# #.#",
        "S": ".## #.. .#. ..# ##.", "T": "### .#. .#. .#. .#.", "U": "#.# #.# #.# #.# ###",
        "V": "#.# #.# #.# #.# .#.", "W": "#.# #.# ### ### #.#", "X": "#.# #.# .#. #.# #.#",
        "Y": "#.# #.# .#. .#. .#.", "Z": "### ..# .#. #.. ###",
        "-": "... ... ### ... ...", "_": "... ... ... ... ###", ".": "... ... ... ... .#.",
        ":": "... .#. ... .#. ...", "/": "..# ..# .#. #.. #..", "?": "### ..# .## ... .#.",
        " ": "... ... ... ... ...", "(": ".#. #.. #.. #.. .#.", ")": ".#. ..# ..# ..# .#.",
        "%": "#.# ..# .#. #.. #.#", ",": "... ... ... .#. #..", "+": "... .#. ### .#. ...",
        "=": "... ### ... ### ...", "|": ".#. .#. .#. .#. .#.", "~": "... .## #.. ... ...",
    ]

    /// Row bit masks (bit 2 = leftmost pixel) per character.
    static let glyphs: [Character: [UInt8]] = source.mapValues { text in
        text.split(separator: " ").map { row in
            row.reduce(UInt8(0)) { $0 << 1 | ($1 == "#" ? 1 : 0) }
        }
    }

    /// Row bit masks of `c` (bit `glyphWidth - 1` = leftmost pixel); `?` for characters it lacks.
    public static func glyph(_ c: Character) -> [UInt8] {
        glyphs[Character(c.uppercased())] ?? glyphs["?"]!
    }

    /// Draws `text` into an RGB buffer of `width` pixels a row, clipped to `maxWidth`
    /// pixels from `x`.
    static func draw(_ text: String, into pixels: inout [UInt8], width: Int, x: Int, y: Int,
                     maxWidth: Int, color: (UInt8, UInt8, UInt8)) {
        let height = pixels.count / (width * 3)
        var cx = x
        for c in text {
            guard cx + glyphWidth <= x + maxWidth else { break }
            for (row, bits) in glyph(c).enumerated() {
                for col in 0..<glyphWidth where bits & (1 << (glyphWidth - 1 - col)) != 0 {
                    let px = cx + col, py = y + row
                    guard px >= 0, px < width, py >= 0, py < height else { continue }
                    let at = (py * width + px) * 3
                    pixels[at] = color.0
                    pixels[at + 1] = color.1
                    pixels[at + 2] = color.2
                }
            }
            cx += advance
        }
    }
}
