package places

// StatErr exposes statErr to the external tests.
var StatErr = statErr
