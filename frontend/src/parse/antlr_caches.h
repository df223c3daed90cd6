// ANTLR's generated recognizers share their prediction caches (DFA states,
// prediction contexts) process-wide through static members, guarded by the
// runtime's locks. We do not rely on those: each thread gets caches of its
// own (prediction_caches_for_this_thread), so parses on different threads
// share nothing but the read-only ATNs. The caches only memoize what the
// fixed grammar predicts for a given lookahead, so no result depends on
// earlier parses; keeping them per thread rather than per parse makes a parse
// 10-20x faster (the lexer's start state alone expands into every token
// rule, IPv6's dozens of spellings included). Private to the parser.
//
// The runtime's lexer DFA has edges for ASCII characters only, so the step
// on end of input, which ends the last token of every filter, is recomputed
// from the ATN on each parse. Our lexer simulator keeps those steps too,
// per DFA state, in the same per-thread caches.
//
// The runtime reads a DFA edge (once per character and per prediction)
// under a process-wide reader/writer lock, two mutex round trips each. Our
// DFAs belong to one thread, so nothing can write an edge while that thread
// reads one: our simulators read edges without the lock. Adding an edge
// (the runtime's code) still takes it, as the runtime requires for its
// other users.
#pragma once

#include <unordered_map>
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
    if (lexer_dfa_.empty()) lexer_has_predicates_ = has_predicates(lexer.getATN());
    fill(lexer_dfa_, lexer.getATN());
    lexer.setInterpreter(new EndOfInputCachingSimulator(&lexer, lexer.getATN(), lexer_dfa_, lexer_contexts_,
                                                        lexer_has_predicates_ ? nullptr : &lexer_eof_targets_));
  }
  void install(antlr4::Parser& parser) {
    fill(parser_dfa_, parser.getATN());
    parser.setInterpreter(new ThreadPrivateParserSimulator(&parser, parser.getATN(), parser_dfa_, parser_contexts_));
  }

 private:
  using EofTargets = std::unordered_map<const antlr4::dfa::DFAState*, antlr4::dfa::DFAState*>;

  // The lexer simulator that also remembers, per DFA state, where end of
  // input leads (the runtime computes that again each time). The step is a
  // function of the state alone, as every other cached edge is, when no
  // lexer rule has a semantic predicate; with one (not in this grammar)
  // eof_targets is null and nothing extra is kept.
  class EndOfInputCachingSimulator : public antlr4::atn::LexerATNSimulator {
   public:
    EndOfInputCachingSimulator(antlr4::Lexer* lexer, const antlr4::atn::ATN& atn,
                               std::vector<antlr4::dfa::DFA>& dfa, antlr4::atn::PredictionContextCache& contexts,
                               EofTargets* eof_targets)
        : LexerATNSimulator(lexer, atn, dfa, contexts), eof_targets_(eof_targets) {}

   protected:
    antlr4::dfa::DFAState* getExistingTargetState(antlr4::dfa::DFAState* s, size_t t) override {
      if (t == antlr4::Token::EOF && eof_targets_ != nullptr) {
        auto it = eof_targets_->find(s);
        return it == eof_targets_->end() ? nullptr : it->second;
      }
      // As the runtime's, without its lock (the DFA is this thread's).
      if (t > MAX_DFA_EDGE) return nullptr;
      auto it = s->edges.find(t - MIN_DFA_EDGE);
      return it == s->edges.end() ? nullptr : it->second;
    }
    antlr4::dfa::DFAState* computeTargetState(antlr4::CharStream* input, antlr4::dfa::DFAState* s,
                                              size_t t) override {
      antlr4::dfa::DFAState* target = LexerATNSimulator::computeTargetState(input, s, t);
      if (t == antlr4::Token::EOF && eof_targets_ != nullptr) eof_targets_->emplace(s, target);
      return target;
    }

   private:
    EofTargets* eof_targets_;
  };

  // The parser simulator reading edges of this thread's DFA without the lock.
  class ThreadPrivateParserSimulator : public antlr4::atn::ParserATNSimulator {
   public:
    using ParserATNSimulator::ParserATNSimulator;

   protected:
    antlr4::dfa::DFAState* getExistingTargetState(antlr4::dfa::DFAState* previous, size_t t) override {
      auto it = previous->edges.find(t);
      return it == previous->edges.end() ? nullptr : it->second;
    }
  };

  std::vector<antlr4::dfa::DFA> lexer_dfa_, parser_dfa_;
  antlr4::atn::PredictionContextCache lexer_contexts_, parser_contexts_;
  EofTargets lexer_eof_targets_;
  bool lexer_has_predicates_ = true;

  static bool has_predicates(const antlr4::atn::ATN& atn) {
    for (const antlr4::atn::ATNState* state : atn.states) {
      if (state == nullptr) continue;
      for (const antlr4::atn::Transition* transition : state->transitions) {
        if (transition->getSerializationType() == antlr4::atn::Transition::PREDICATE) return true;
      }
    }
    return false;
  }

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
