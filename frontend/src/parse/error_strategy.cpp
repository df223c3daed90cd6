#include "parse/error_strategy.h"

namespace bpfc::parse_detail {

void StopAtFirstError::recover(antlr4::Parser* recognizer, std::exception_ptr e) {
  antlr4::Token* offending = recognizer->getCurrentToken();
  try {
    std::rethrow_exception(e);
  } catch (const antlr4::RecognitionException& recognition) {
    if (recognition.getOffendingToken() != nullptr) offending = recognition.getOffendingToken();
  } catch (...) {
  }
  throw SyntaxErrorFound{offending->getTokenIndex()};
}

antlr4::Token* StopAtFirstError::recoverInline(antlr4::Parser* recognizer) {
  throw SyntaxErrorFound{recognizer->getCurrentToken()->getTokenIndex()};
}

void StopAtFirstError::sync(antlr4::Parser* /*recognizer*/) {}

}  // namespace bpfc::parse_detail
