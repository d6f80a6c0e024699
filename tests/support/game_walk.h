// Test helper: follow a history of action letters from the root of a game
// whose ActionName gives one letter per action ('/' between rounds is skipped).
#pragma once

#include <doctest/doctest.h>

#include <string>

template <class G>
std::uint32_t FollowHistory(const G& g, const std::string& history) {
  std::uint32_t node = g.Root();
  for (char c : history) {
    if (c == '/') continue;
    int found = -1;
    for (int a = 0; a < g.NumActions(node); ++a) {
      if (g.ActionName(node, a)[0] == c) found = a;
    }
    REQUIRE_MESSAGE(found >= 0, "no action ", c, " in ", history);
    node = g.Child(node, found);
  }
  return node;
}
