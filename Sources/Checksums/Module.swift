import CCrypto
// Module Checksums: streaming MD5/SHA-256 over OpenSSL's EVP API.
internal let _opensslVersion = OpenSSL_version_num()
