#include "tagger/text/stopwords.h"

#include <algorithm>
#include <array>

namespace imu2clip {
namespace {

// Sorted for binary search.
constexpr std::array<std::string_view, 94> kStopwords = {
    "a",       "about",   "after",  "am",      "an",      "and",   "any",   "are",   "as",      "at",
    "be",      "been",    "before", "being",   "both",    "but",   "by",    "can",   "could",   "did",
    "do",      "does",    "doing",  "during",  "each",    "for",   "from",  "had",   "has",     "have",
    "he",      "her",     "hers",   "herself", "him",     "himself", "his", "i",     "im",      "in",
    "into",    "is",      "it",     "its",     "itself",  "just",  "man",   "me",    "my",      "myself",
    "now",     "of",      "or",     "our",     "person",  "right", "she",   "so",    "some",    "somebody",
    "someone", "such",    "than",   "that",    "the",     "their", "them",  "then",  "there",   "these",
    "they",    "this",    "those",  "to",      "too",     "us",    "very",  "was",   "we",      "were",
    "what",    "when",    "where",  "which",   "while",   "who",     "will",  "with",  "woman", "would",   "you",
    "your",    "yours",   "yourself"};

}  // namespace

bool is_stopword(std::string_view word) {
  return std::binary_search(kStopwords.begin(), kStopwords.end(), word);
}

}  // namespace imu2clip
