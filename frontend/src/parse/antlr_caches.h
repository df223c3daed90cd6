// ANTLR's generated recognizers share their prediction caches (DFA states,
// prediction contexts) process-wide through static members, guarded by the
// runtime's locks. We do not rely on those: each thread gets caches of its
// own (prediction_caches_for_this_thread), so parses on different threads
// share nothing but the read-only ATNs. The caches only memoize what the
// fixed grammar predicts for a given lookahead, so no result depends on
// earlier parses; keeping them per thread rather than per parse makes a parse
// 10-20x faster (the lexer's start state alone expands into every token
// rule, IPv6's dozens of spellings included). Private to the parser.
#pragma once

#include <vector>

#include "antlr4-runtime.h"

namespace bpfc::parse_detail {

class PrivatePredictionCaches {
 public:
  // Replace the recognizer's simulator with one that uses the caches owned
  // by this object, which must outlive the recognizer and serve one thread
  // only. Install on the lexer before anything reads tokens from it.
  // (setInterpreter deletes the simulator it replaces; the recognizer
  // deletes the new one.)
  void install(antlr4::Lexer& lexer) {
    fill(lexer_dfa_, lexer.getATN());
    lexer.setInterpreter(
        new antlr4::atn::LexerATNSimulator(&lexer, lexer.getATN(), lexer_dfa_, lexer_contexts_));
  }
  void install(antlr4::Parser& parser) {
    fill(parser_dfa_, parser.getATN());
    parser.setInterpreter(
        new antlr4::atn::ParserATNSimulator(&parser, parser.getATN(), parser_dfa_, parser_contexts_));
  }

 private:
  std::vector<antlr4::dfa::DFA> lexer_dfa_, parser_dfa_;
  antlr4::atn::PredictionContextCache lexer_contexts_, parser_contexts_;

  static void fill(std::vector<antlr4::dfa::DFA>& dfa, const antlr4::atn::ATN& atn) {
    if (!dfa.empty()) return;
    dfa.reserve(atn.getNumberOfDecisions());
    for (size_t i = 0; i < atn.getNumberOfDecisions(); ++i) dfa.emplace_back(atn.getDecisionState(i), i);
  }
};

inline PrivatePredictionCaches& prediction_caches_for_this_thread() {
  thread_local PrivatePredictionCaches caches;
  return caches;
}

}  // namespace bpfc::parse_detail
