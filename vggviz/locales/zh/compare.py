"""Area B, the comparisons: the Compare depths page and its modules (compare, paper: its tables and findings)."""

MESSAGES = {
    'shapes held-out %':
        '形状留出集准确率 %',
    'yes':
        '是',
    'no':
        '否',
    'variant':
        '变体',
    'config':
        '配置',
    'batch norm':
        '批归一化',
    'ImageNet top-1 %':
        'ImageNet top-1 %',
    'ImageNet top-5 %':
        'ImageNet top-5 %',
    'Compare depths: VGG11 to VGG19':
        '比较深度：从 VGG11 到 VGG19',
    'The mini family: the same table at teaching scale':
        'mini 系列：教学尺度下的同一张表',
    '— (none bundled)':
        '—（未附带）',
    'Every width ÷ 8 and a 64×64 input: the FC layers shrink from 4096 to 256 wide, so here the convolutions hold most of the parameters, unlike full-size VGG.':
        '所有宽度 ÷ 8，输入 64×64：全连接层从 4096 宽缩小到 256 宽，所以这里大部分参数在卷积层中，与全尺寸 VGG 不同。',
    "The paper's Table 1: what changes from A to E":
        '论文的表 1：从 A 到 E 改变了什么',
    'conv3-256 = a 3×3 convolution with 256 output channels; — = no layer there; highlighted: the layers each configuration adds to the one before (A-LRN and B are compared with A).':
        'conv3-256 = 一个有 256 个输出通道的 3×3 卷积；— = 该位置没有层；高亮：每个配置相对于前一个新增的层（A-LRN 和 B 与 A 比较）。',
    "The paper's results":
        '论文的结果',
    'The paper against torchvision, both as errors: the paper evaluates the whole image densely at scale Q, torchvision one 224×224 centre crop of a network it re-trained with its own recipe; neither number is wrong, they measure different things. A-LRN and C have no torchvision weights.':
        '论文与 torchvision 对照，都以错误率表示：论文在尺度 Q 下对整张图像做密集评估，torchvision 只用一个 224×224 中心裁剪，评估的是它按自己的方案重新训练的网络；两个数字都没有错，它们衡量的是不同的东西。A-LRN 和 C 没有 torchvision 权重。',
    '— (no weights)':
        '—（无权重）',
    'Every number transcribed from the paper, with its table and row':
        '从论文转录的每一个数字，附其表格和行',
    "Table 6 (the fusion of networks) and the other teams' rows of Table 7 are not transcribed (see vggviz/lab/paper.py).":
        '表 6（多个网络的融合）以及表 7 中其他队伍的行没有转录（见 vggviz/lab/paper.py）。',
    'parameters (M)':
        '参数量（M）',
    'MACs (G)':
        'MACs（G）',
    'parameters (k)':
        '参数量（k）',
    'MACs at 64 px (M)':
        '64 px 下的 MACs（M）',
    "Errors in % on the ILSVRC-2012 validation set (Table 7: the test set), transcribed from {source}. S is the training scale (the image's shorter side; [256;512]: a random S per image, scale jittering), Q the test scale(s).":
        'ILSVRC-2012 验证集上的错误率（%）（表 7：测试集），转录自 {source}。S 是训练尺度（图像的短边；[256;512]：每张图像随机取一个 S，即尺度抖动），Q 是测试尺度。',
    "From torchvision's weights metadata (single 224 crop); “— (no weights)” where torchvision ships none (A-LRN, C)":
        '来自 torchvision 的权重元数据（单个 224 裁剪）；torchvision 没有提供权重的地方（A-LRN、C）写作“—（无权重）”',
    'Accuracy of the bundled checkpoint on 1000 generated images it never trained on (its training log in assets/models); “— (none bundled)” where none ships: train it on the Train page':
        '附带的检查点在 1000 张从未训练过的生成图像上的准确率（训练日志在 assets/models 中）；没有附带检查点的地方写作“—（未附带）”：可以在训练页面上训练它',
    'Source: {sources}':
        '来源：{sources}',
    '; ':
        '；',
    "These are torchvision's accuracies for one network on one 224×224 centre crop (ImageNet validation set). The paper's numbers are higher because it evaluates more generously: dense evaluation over the whole image, many crops (multi-crop), several scales (multi-scale), and several networks averaged (an ensemble). The often-quoted 92.7 % top-5 is 100 − 7.3 % top-5 error of the paper's ILSVRC-2014 submission, an ensemble of 7 networks with multi-scale dense evaluation, not of one VGG16.":
        '这些是 torchvision 的准确率：一个网络、一个 224×224 中心裁剪（ImageNet 验证集）。论文的数字更高，因为它的评估方式更宽松：对整张图像做密集评估、使用许多裁剪（多裁剪）、多个尺度（多尺度），并把多个网络平均（集成）。常被引用的 92.7 % top-5 是 100 − 论文 ILSVRC-2014 提交结果的 7.3 % top-5 错误率，那是一个由 7 个网络组成、使用多尺度密集评估的集成，而不是单个 VGG16。',
    "Batch norm adds {low} to {high} parameters and raises torchvision's single-crop top-1 accuracy by {gains}.":
        '批归一化增加 {low} 到 {high} 个参数，并使 torchvision 的单裁剪 top-1 准确率提高 {gains}。',
    'Going from {a} to {e} layers adds {more}% parameters (the FC layers, which all variants share, hold {low}–{high}% of them) but {times}× the compute.':
        '从 {a} 层增加到 {e} 层，参数量增加 {more}%（所有变体共有的全连接层占其中的 {low}–{high}%），计算量却是 {times}×。',
    'The exceptions: {parts}.':
        '例外：{parts}。',
    '{gain} points ({name})':
        '{gain} 个百分点（{name}）',
    '{config} has {layers}':
        '{config} 有 {layers}',
    '{a} → {b} ({va} → {vb}): {changes} (convs per block {ca} → {cb})':
        '{a} → {b}（{va} → {vb}）：{changes}（每个卷积块的卷积层数 {ca} → {cb}）',
    '{old} becomes {new}':
        '{old} 变为 {new}',
    'no change':
        '没有变化',
    '{n} convolutions of {k}×{k}':
        '{n} 个 {k}×{k} 卷积',
    '{n} convolution of {k}×{k}':
        '{n} 个 {k}×{k} 卷积',
    ' and ':
        '和',
    'block {i} gains {layers}':
        '第 {i} 个卷积块增加 {layers}',
    'block {i}: {changes}':
        '第 {i} 个卷积块：{changes}',
    '{n} local response normalisation (LRN) layers':
        '{n} 个局部响应归一化（LRN）层',
    '{n} local response normalisation (LRN) layer':
        '{n} 个局部响应归一化（LRN）层',
    'Table 3':
        '表 3',
    'Table 4':
        '表 4',
    'Table 5':
        '表 5',
    'Table 7':
        '表 7',
    'Appendix A':
        '附录 A',
    'single scale':
        '单尺度',
    'multi-scale':
        '多尺度',
    'multi-crop':
        '多裁剪',
    'validation set':
        '验证集',
    'test set':
        '测试集',
    'source':
        '来源',
    'row':
        '行',
    'train S':
        '训练尺度 S',
    'test Q':
        '测试尺度 Q',
    'nets':
        '网络数',
    'split':
        '数据集',
    'top-1 error %':
        'top-1 错误率 %',
    'top-5 error %':
        'top-5 错误率 %',
    'paper top-1 / top-5 err. % (Table 3, S = 256)':
        '论文 top-1 / top-5 错误率 %（表 3，S = 256）',
    'paper best single scale (Table 3)':
        '论文最佳单尺度（表 3）',
    'paper best multi-scale (Table 4)':
        '论文最佳多尺度（表 4）',
    'torchvision variant':
        'torchvision 变体',
    'torchvision top-1 / top-5 err. % (one 224 crop)':
        'torchvision top-1 / top-5 错误率 %（单个 224 裁剪）',
    'VGG (ILSVRC submission, 7 nets, dense eval.)':
        'VGG（ILSVRC 提交，7 个网络，密集评估）',
    'VGG (1 net, multi-crop & dense eval.)':
        'VGG（1 个网络，多裁剪 + 密集评估）',
    'VGG (2 nets, multi-crop & dense eval.)':
        'VGG（2 个网络，多裁剪 + 密集评估）',
    'GoogLeNet (7 nets), 1st in ILSVRC-2014 classification':
        'GoogLeNet（7 个网络），ILSVRC-2014 分类第 1 名',
    'VGG, ILSVRC-2014 localisation (1st place)':
        'VGG，ILSVRC-2014 定位（第 1 名）',
    'the same':
        '相同的',
    '{table}: {row}':
        '{table}：{row}',
    'lower':
        '更低的',
    'higher':
        '更高的',
    "LRN does not help: A-LRN's error is no lower than A's":
        'LRN 没有帮助：A-LRN 的错误率并不比 A 低',
    "LRN helps: A-LRN's error is lower than A's":
        'LRN 有帮助：A-LRN 的错误率比 A 低',
    "ILSVRC-2014: the VGG team's submission ({nets} networks, dense evaluation) had {err} % top-5 test error, i.e. {acc} % top-5 accuracy":
        'ILSVRC-2014：VGG 团队的提交结果（{nets} 个网络，密集评估）top-5 测试错误率为 {err} %，即 top-5 准确率 {acc} %',
    ', 2nd in classification (GoogLeNet {err} %)':
        '，分类第 2 名（GoogLeNet {err} %）',
    ', 1st in classification (GoogLeNet {err} %)':
        '，分类第 1 名（GoogLeNet {err} %）',
    '{sentence}.':
        '{sentence}。',
    '{config}, {method}':
        '{config}，{method}',
    'Local response normalisation (A vs A-LRN)':
        '局部响应归一化（A 对比 A-LRN）',
    'Depth (A → B → D → E)':
        '深度（A → B → D → E）',
    '1×1 against 3×3 (B vs C vs D)':
        '1×1 对比 3×3（B 对比 C 对比 D）',
    'Several test scales (D)':
        '多个测试尺度（D）',
    'Dense against multi-crop (D)':
        '密集评估对比多裁剪（D）',
    '; 1st in localisation with {err} % error':
        '；定位第 1 名，错误率 {err} %',
    '; at this scale E (19 layers) is no better than D (16): {e} % against {d} %, the error saturates':
        '；在这个尺度上 E（19 层）并不比 D（16 层）好：{e} % 对 {d} %，错误率饱和了',
    '{verdict} (top-1 {lrn1} % against {a1} %, top-5 {lrn5} % against {a5} %), so the deeper configurations B–E drop it.':
        '{verdict}（top-1 {lrn1} % 对 {a1} %，top-5 {lrn5} % 对 {a5} %），所以更深的配置 B–E 都去掉了它。',
    '{verdict}: single-scale top-1 error {steps} (S = 256){saturates}. Best: {best} ({top1} %).':
        '{verdict}：单尺度 top-1 错误率 {steps}（S = 256）{saturates}。最佳：{best}（{top1} %）。',
    "C's extra 1×1 convolutions give {cmp_b} error than B ({c} % against {b} %): the extra non-linearity {helps}; but D, with 3×3 where C has 1×1, has {cmp_c} error again ({d} %): {context}.":
        'C 额外的 1×1 卷积带来比 B {cmp_b}错误率（{c} % 对 {b} %）：额外的非线性{helps}；但 D 在 C 用 1×1 的地方用了 3×3，又得到{cmp_c}错误率（{d} %）：{context}。',
    'Testing D at three scales {{{scales}}} and averaging instead of at one (Q = {q}) takes top-1 error from {single1} % to {multi1} % and top-5 from {single5} % to {multi5} %.':
        '在三个尺度 {{{scales}}} 上测试 D 并取平均，而不是只在一个尺度（Q = {q}）上测试，top-1 错误率从 {single1} % 变为 {multi1} %，top-5 从 {single5} % 变为 {multi5} %。',
    'Multi-crop gives {cmp} top-1 error ({crop} %) than dense evaluation ({dense} %), and the two combined give {both1} % top-1, {both5} % top-5: {verdict}':
        '多裁剪带来比密集评估（{dense} %）{cmp} top-1 错误率（{crop} %），两者结合得到 top-1 {both1} %、top-5 {both5} %：{verdict}',
    'Depth helps':
        '深度有帮助',
    'Depth does not steadily help':
        '深度并不总是有帮助',
    'helps':
        '有帮助',
    'does not help':
        '没有帮助',
    'seeing spatial context matters too':
        '看到空间上下文同样重要',
    'spatial context adds nothing here':
        '空间上下文在这里没有增益',
    'Scale jittering in training ({config})':
        '训练时的尺度抖动（{config}）',
    'Training {config} on images rescaled to a random S in [256; 512] instead of a fixed S = 256 takes its single-scale top-1 error from {fixed} % to {jittered} % ({change} points).':
        '训练 {config} 时把图像缩放到 [256; 512] 中随机的 S，而不是固定的 S = 256，使它的单尺度 top-1 错误率从 {fixed} % 变为 {jittered} %（{change} 个百分点）。',
    'better than either, so they complement each other.':
        '比两者都好，所以它们互为补充。',
    'no better than the better of the two.':
        '并不比两者中较好的那个更好。',
}
