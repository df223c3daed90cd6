// Assigning a freshly built Z3 term to an existing z3::expr.
//
// z3++.h up to at least 4.8.12 (Debian's) defines ast::operator=(ast&&)
// without releasing the term it overwrites, so `e = a + b` leaks a
// reference. Leaked terms live until the context is destroyed, and Z3 then
// frees them in one pass per level of nesting over all of them: quadratic in
// the program's length (18 s for a 1000-host list). Copy assignment releases
// correctly; every assignment of a new term goes through here.
#pragma once

#include <z3++.h>

namespace bpfc::runtime::equiv {

inline void assign(z3::expr& target, const z3::expr& value) { target = value; }

}  // namespace bpfc::runtime::equiv
