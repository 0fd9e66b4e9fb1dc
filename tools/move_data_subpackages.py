"""Splits org.samtune.data into sub-packages (data.prepare, data.resize, data.augment, data.prompt) mechanically.

Kept so the move can be redone after a merge conflict: on a tree where the classes are still in org.samtune.data,
run `python3 tools/move_data_subpackages.py` from the repository root. It `git mv`s the classes and their tests,
rewrites package lines and fully qualified names, and adds the imports each file needs (found by simple name in
code, comments and strings stripped). After it: make `SliceImages.luma` and the test helpers `Golden` and
`KernelGoldens` (class and static methods) public, update docs mentioning `org.samtune.data.Intensity` /
`VolumeSlicer`, and compile (`mvn -q -B test-compile`); a class added to data since needs a line in `groups`.
"""
import os, re, subprocess, sys
root = os.getcwd()
os.chdir(root)
main = 'src/main/java/org/samtune/data'
test = 'src/test/java/org/samtune/data'
groups = {
    'prepare': ['VolumeSlicer', 'SliceAxis', 'SliceDatasetWriter', 'SplitPlanner', 'Split', 'ClassMap', 'LabelNames',
                'Grey8', 'Intensity', 'CanonicalOrientation', 'SliceSegmenter'],
    'resize': ['PilResize', 'TorchBilinear', 'TorchBilinearAntialias', 'TorchvisionLabelResize', 'ResizeLongestSide'],
    'augment': ['Augmentation', 'PilEnhance', 'RandomResizedCrop', 'RandomRotation'],
    'prompt': ['PromptSampler', 'ChamferDistance', 'ConnectedComponents'],
}
test_groups = {
    'prepare': ['IntensityTest', 'PrepareBuildingBlocksTest', 'VolumeSlicerTest'],
    'resize': ['PilResizeTest', 'TorchBilinearTest', 'FullSizeKernelTest'],
    'augment': ['PilEnhanceTest', 'SpatialAugmentTest'],
    'prompt': ['PromptSamplerTest'],
}
# class -> package, for every class of data (moved or not) and the data test helpers
pkg = {}
for f in os.listdir(main):
    if f.endswith('.java'):
        pkg[f[:-5]] = 'org.samtune.data'
for g, cs in groups.items():
    for c in cs:
        assert c in pkg, c
        pkg[c] = 'org.samtune.data.' + g
testpkg = {}
for f in os.listdir(test):
    if f.endswith('.java'):
        testpkg[f[:-5]] = 'org.samtune.data'
for g, cs in test_groups.items():
    for c in cs:
        assert c in testpkg, c
        testpkg[c] = 'org.samtune.data.' + g

def run(*a):
    subprocess.check_call(a)

for g, cs in groups.items():
    os.makedirs(f'{main}/{g}', exist_ok=True)
    for c in cs:
        run('git', 'mv', f'{main}/{c}.java', f'{main}/{g}/{c}.java')
for g, cs in test_groups.items():
    os.makedirs(f'{test}/{g}', exist_ok=True)
    for c in cs:
        run('git', 'mv', f'{test}/{c}.java', f'{test}/{g}/{c}.java')

def strip_code(s):
    s = re.sub(r'/\*.*?\*/', ' ', s, flags=re.S)
    s = re.sub(r'//[^\n]*', ' ', s)
    s = re.sub(r'"(\\.|[^"\\])*"', '""', s)
    return s

helpers = {k: v for k, v in testpkg.items() if k in ('Golden', 'KernelGoldens')}
files = []
for base in ('src/main/java', 'src/test/java'):
    for d, _, fs in os.walk(base):
        for f in fs:
            if f.endswith('.java'):
                files.append(os.path.join(d, f))
for path in files:
    s = open(path).read()
    orig = s
    name = os.path.basename(path)[:-5]
    m = re.search(r'^package ([\w.]+);', s, flags=re.M)
    own = m.group(1)
    is_test = path.startswith('src/test')
    # new package for moved files
    newown = own
    if not is_test and own == 'org.samtune.data' and pkg.get(name, own) != own:
        newown = pkg[name]
    if is_test and own == 'org.samtune.data' and testpkg.get(name, own) != own:
        newown = testpkg[name]
    s = s.replace(f'package {own};', f'package {newown};', 1)
    # fully qualified references to moved classes
    for c, p in pkg.items():
        if p != 'org.samtune.data':
            s = re.sub(r'\borg\.samtune\.data\.' + c + r'\b', p + '.' + c, s)
    # drop imports made redundant (same package)
    s = re.sub(r'^import ' + re.escape(newown) + r'\.(\w+);\n', lambda mm: '' if mm.group(1)[0].isupper() else mm.group(0), s, flags=re.M)
    code = strip_code(s)
    code_wo_imports = re.sub(r'^import [^\n]*\n', '', code, flags=re.M)
    needed = []
    allmap = dict(pkg)
    if is_test:
        allmap.update(helpers)
    for c, p in allmap.items():
        if p == newown or c == name:
            continue
        if re.search(r'(?<![\w.])' + c + r'\b', code_wo_imports):
            imp = f'import {p}.{c};'
            if imp not in s:
                needed.append(imp)
    if needed:
        # place after the last org.samtune import, or after package/imports
        lines = s.split('\n')
        idx = None
        for i, l in enumerate(lines):
            if l.startswith('import '):
                idx = i
        if idx is None:
            # after package line
            for i, l in enumerate(lines):
                if l.startswith('package '):
                    idx = i
                    lines.insert(i + 1, '')
                    idx = i + 1
                    break
        lines[idx + 1:idx + 1] = needed
        s = '\n'.join(lines)
        # sort the import block of org.samtune imports for tidiness (keep static imports first)
    if s != orig:
        open(path, 'w').write(s)
print('moved; now fix visibility as the docstring says')
