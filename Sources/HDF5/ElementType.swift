import CHDF5
import Tensors

/// What one element of a dataset or attribute is: a number of a `DType`, a string,
/// or something this layer does not map (compound, reference, ...), named by HDF5 class.
public enum ElementType: Equatable, Sendable, CustomStringConvertible {
    case numeric(DType)
    case string
    case other(String)

    public var description: String {
        switch self {
        case .numeric(let d): return d.rawValue
        case .string: return "string"
        case .other(let name): return name
        }
    }
}

/// Maps `DType` onto HDF5 datatypes and back, the way h5py does: little-endian
/// standard integers and IEEE floats; float16 as a 2-byte IEEE half; bool as the
/// int8 enum {FALSE = 0, TRUE = 1}. bfloat16 has no HDF5 counterpart.
enum TypeMapping {
    /// The in-memory (and on-disk: this machine is little-endian) type of `dtype`.
    /// Returns a handle the caller owns.
    static func type(of dtype: DType, file: String, object: String?) throws -> Handle {
        HDF5Library.prepareThread()
        let id: hid_t
        switch dtype {
        case .uint8: id = H5Tcopy(nd_H5T_NATIVE_UINT8())
        case .int8: id = H5Tcopy(nd_H5T_NATIVE_INT8())
        case .int16: id = H5Tcopy(nd_H5T_NATIVE_INT16())
        case .int32: id = H5Tcopy(nd_H5T_NATIVE_INT32())
        case .int64: id = H5Tcopy(nd_H5T_NATIVE_INT64())
        case .float32: id = H5Tcopy(nd_H5T_NATIVE_FLOAT())
        case .float64: id = H5Tcopy(nd_H5T_NATIVE_DOUBLE())
        case .float16:
            // h5py's half: IEEE single shrunk to sign 15, exponent 10..14, mantissa 0..9, bias 15.
            id = H5Tcopy(nd_H5T_IEEE_F32LE())
            if id >= 0 {
                H5Tset_fields(id, 15, 10, 5, 0, 10)
                H5Tset_size(id, 2)
                H5Tset_ebias(id, 15)
            }
        case .bool:
            id = H5Tenum_create(nd_H5T_NATIVE_INT8())
            if id >= 0 {
                var no: Int8 = 0, yes: Int8 = 1
                H5Tenum_insert(id, "FALSE", &no)
                H5Tenum_insert(id, "TRUE", &yes)
            }
        case .bfloat16:
            throw HDF5Error(.unsupported, file: file, object: object, "bfloat16 has no HDF5 datatype")
        }
        guard id >= 0 else { throw HDF5Error.fromLibrary(file: file, object: object, "cannot make the \(dtype) datatype") }
        return .datatype(id)
    }

    /// A variable-length UTF-8 string type (h5py's `string_dtype()`), caller owns it.
    static func variableString(file: String, object: String?) throws -> Handle {
        HDF5Library.prepareThread()
        let id = H5Tcopy(nd_H5T_C_S1())
        guard id >= 0, H5Tset_size(id, nd_H5T_VARIABLE()) >= 0, H5Tset_cset(id, H5T_CSET_UTF8) >= 0 else {
            throw HDF5Error.fromLibrary(file: file, object: object, "cannot make the string datatype")
        }
        return .datatype(id)
    }

    /// Classifies a stored datatype.
    static func elementType(of type: hid_t) -> ElementType {
        HDF5Library.prepareThread()
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            switch (size, signed) {
            case (1, false): return .numeric(.uint8)
            case (1, true): return .numeric(.int8)
            case (2, true): return .numeric(.int16)
            case (4, true): return .numeric(.int32)
            case (8, true): return .numeric(.int64)
            default: return .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_FLOAT:
            switch size {
            case 2: return .numeric(.float16)
            case 4: return .numeric(.float32)
            case 8: return .numeric(.float64)
            default: return .other("float\(size * 8)")
            }
        case H5T_ENUM:
            if size == 1, H5Tget_nmembers(type) == 2 { return .numeric(.bool) }
            return .other("enum")
        case H5T_STRING: return .string
        case H5T_COMPOUND: return .other("compound")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen")
        case H5T_REFERENCE: return .other("reference")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_BITFIELD: return .other("bitfield")
        default: return .other("unknown")
        }
    }
}
