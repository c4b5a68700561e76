package replay

// ParseBy is parseBy, for the tests.
var ParseBy = parseBy
