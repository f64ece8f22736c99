// Package ast is BFCL v4's single-turn AST checker: upstream's ast_checker
// with its simple, multiple and parallel (order-free) checkers, the type
// checks and conversions per language (Python values; Java and JavaScript
// values given as strings and converted by upstream's regular expressions),
// optional parameters, allowed values and string standardisation, with the
// error types and messages upstream writes, byte for byte.
//
// Values are those of bfcl/py; the golden files' value encoding (tuples,
// dicts with non-string keys, non-finite floats, bytes and complex numbers
// as tagged one-key objects) is Tag and Untag. The decoder of model output
// (Python call syntax) lives in package bfcl beside the multi-turn parser.
//
// It imports bfcl/py and bfcl/pynum only.
package ast
