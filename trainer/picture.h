// Pictures that inspect draws: written as SVG, or converted to PNG with
// rsvg-convert (Debian package librsvg2-bin) when the name ends in .png.
#pragma once

#include <filesystem>
#include <string>

namespace bp::trainer {

// ConfigError unless `out` ends in .svg or .png; `flag` names the option.
void CheckPictureName(const std::filesystem::path& out, const char* flag);
// Writes `svg` to `out` (.svg as is, .png through rsvg-convert).
void WritePicture(const std::string& svg, const std::filesystem::path& out, const char* flag);

}  // namespace bp::trainer
