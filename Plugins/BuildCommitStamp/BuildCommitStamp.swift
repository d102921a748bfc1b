import Foundation
import PackagePlugin

/// Stamps the `clipseg` build with the git commit it was built from: before every build, a shell runs
/// `git describe` on the package folder and writes `BuildCommit.swift` (`BuildCommit.stamp`, e.g.
/// `ec12244a0c3d` or `ec12244a0c3d-dirty`) into the plugin's work folder. The file is rewritten only
/// when its text changes, so an unchanged commit rebuilds nothing. Without git, or outside a git
/// checkout (a source archive), the stamp is `unknown`.
@main
struct BuildCommitStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.pluginWorkDirectoryURL.appending(path: "Generated", directoryHint: .isDirectory)
        let file = folder.appending(path: "BuildCommit.swift", directoryHint: .notDirectory)
        return [.prebuildCommand(
            displayName: "Stamping \(target.name) with its git commit",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", Self.script, "sh", context.package.directoryURL.path, folder.path, file.path],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""],
            outputFilesDirectory: folder)]
    }

    /// `sh -c script sh PACKAGE_DIR OUTPUT_DIR OUTPUT_FILE`, with the builder's PATH (then /usr/bin:/bin).
    /// Only the package's own `.git` counts (a package unpacked inside another repository is `unknown`, not
    /// that repository's commit); tags are ignored so the stamp is always the commit's hash; anything but
    /// hex digits and `-dirty` is `unknown`. About 20 ms per build.
    static let script = #"""
        PATH="${PATH:+$PATH:}/usr/bin:/bin"
        stamp=unknown
        if [ -e "$1/.git" ]; then
            described=$(git -c safe.directory='*' -C "$1" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null) \
                && stamp=$described
        fi
        case $stamp in
            *[!0-9a-f]*-dirty | *-*-dirty) stamp=unknown ;;
            [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*-dirty) ;;
            *[!0-9a-f]*) stamp=unknown ;;
            [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;;
            *) stamp=unknown ;;
        esac
        mkdir -p "$2" || exit 1
        printf '%s\n' \
            '// Generated before each build by the BuildCommitStamp plugin (Plugins/BuildCommitStamp); do not edit.' \
            '' \
            '/// The git commit this program was built from: `git describe --always --dirty` of the package folder,' \
            '/// or `unknown` when it was built outside a git checkout.' \
            'enum BuildCommit {' \
            "    static let stamp = \"$stamp\"" \
            '}' > "$3.new" || exit 1
        if cmp -s "$3.new" "$3"; then rm -f "$3.new"; else mv -f "$3.new" "$3"; fi
        """#
}
