package web

// urdu is the Urdu message catalogue: English message → Urdu. Messages
// with fmt verbs keep them, in the order of the arguments.
var urdu = map[string]string{}
