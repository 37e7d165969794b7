"""Predict first: the question bank (vggviz/lab/quiz.py), the class's answers
(vggviz/serving/answers.py) and the predict-first box (vggviz/app/quiz.py, the sidebar's toggle)."""

MESSAGES = {
    # the sidebar
    'Predict first':
        '先预测',
    "Each page asks a question before its key figure and shows the figure once it is answered. In the presenter view: the class's answers, then the reveal. Kept in the link.":
        '每一页先在关键图之前提一个问题，回答后再显示图。演示模式下：先看全班的回答，再揭晓答案。会保存在链接中。',
    # the box
    '#### 🤔 Predict first':
        '#### 🤔 先预测',
    'Question':
        '问题',
    'Your prediction':
        '你的预测',
    'Your prediction (a number{unit})':
        '你的预测（一个数{unit}）',
    ', in %':
        '，单位 %',
    ', in millions':
        '，单位：百万',
    'Check my prediction':
        '核对我的预测',
    'The figure appears once you have answered. Predict first, then check: that is what makes a picture teach.':
        '回答之后图才会出现。先预测，再核对：这样图才真正教会你东西。',
    'The teacher has revealed this one.':
        '老师已经揭晓了这道题。',
    '**The answer: {answer}.** {explanation}':
        '**答案：{answer}。** {explanation}',
    'Your answer {value}: right (the answer is {answer}).':
        '你的答案 {value}：正确（答案是 {answer}）。',
    'Your answer {value} is within {tol}% of the answer, {answer}.':
        '你的答案 {value} 与答案 {answer} 相差不超过 {tol}%。',
    'Your answer {value}; the answer is {answer}.':
        '你的答案是 {value}；正确答案是 {answer}。',
    'Your answer {value} is {off}% off; the answer is {answer} (within {tol}% counts).':
        '你的答案 {value} 偏差 {off}%；答案是 {answer}（相差 {tol}% 以内算对）。',
    '{reason}.':
        '{reason}。',
    'Reveal the answer and the figure':
        '揭晓答案和图',
    "🔄 Refresh the class's answers":
        '🔄 刷新全班的回答',
    # the class's answers
    'you have already answered this question in this lesson':
        '本节课你已经回答过这道题了',
    'this question is closed: the teacher has revealed the answer':
        '这道题已关闭：老师已经揭晓了答案',
    "the class's answers cannot be reached ({reason}); answers are not counted for now":
        '无法连接全班回答的存储（{reason}）；暂时不计入回答',
    "No answers yet: the class's count appears here as they answer.":
        '还没有人回答：同学们回答后，全班的统计会显示在这里。',
    '**{n} answers**: {pct} % within {tol} % of the truth.':
        '**{n} 个回答**：{pct} % 与正确值相差不超过 {tol} %。',
    '**{n} answers**: {pct} % right.':
        '**{n} 个回答**：{pct} % 正确。',
    'How the class answered':
        '全班的回答',
    'answers':
        '回答数',
    'answer':
        '回答',
    # checking an answer
    'pick one of the choices ({options})':
        '请从选项中选一个（{options}）',
    'type a number first':
        '请先输入一个数',
    '{text} is not a number: type digits only, e.g. {example}':
        '{text} 不是数字：请只输入数字，例如 {example}',
    '{value} is negative: a count is 0 or more':
        '{value} 是负数：个数应为 0 或更多',
    '{value} is outside the possible range {lo} … {hi}':
        '{value} 超出了可能的范围 {lo} … {hi}',
    # the questions
    'block {n}':
        '第 {n} 块',
    'How many parameters (weights and biases) does conv1_1 of {variant} have?':
        '{variant} 的 conv1_1 有多少个参数（权重和偏置）？',
    '{k}×{k} kernel × 3 input channels (RGB) × {cout} filters + {cout} biases = {params}. See the row conv1_1 of the table *Layer by layer*.':
        '{k}×{k} 卷积核 × 3 个输入通道（RGB）× {cout} 个滤波器 + {cout} 个偏置 = {params}。见表格 *逐层* 中 conv1_1 这一行。',
    "What percentage of all {variant}'s parameters sit in fc6 alone?":
        '{variant} 的全部参数中，仅 fc6 就占百分之多少？',
    'fc6 has {fc6} of {total} parameters ({pct}%): it connects every number of pool5 to each of its {units} units. See *Where the parameters live, where the compute happens*.':
        'fc6 有 {fc6} 个参数，总数 {total}（{pct}%）：它把 pool5 的每一个数连接到它的每一个（共 {units} 个）单元。见 *参数在哪里，计算在哪里*。',
    "For a {size}×{size} px input, how many pixels wide (W) is pool3's output?":
        '输入为 {size}×{size} 像素时，pool3 输出的宽度（W）是多少像素？',
    "Each of the three max-pools so far halves the side: {size} → {side}; pool3's output is {shape} (C×H×W), {n} numbers. See the column *output* of the table, row pool3.":
        '到此为止的三个最大池化各把边长减半：{size} → {side}；pool3 的输出为 {shape}（C×H×W），共 {n} 个数。见表格 pool3 行的 *输出* 列。',
    'How many million parameters does {variant} have in all?':
        '{variant} 一共有多少百万个参数？',
    "{n} parameters: the metric *Parameters* at the top and the table's total.":
        '{n} 个参数：见页面顶部的 *参数量* 指标和表格的总计。',
    "What percentage of {variant}'s compute (MACs) do its convolutions do?":
        '{variant} 的计算量（MACs）中，卷积层完成了百分之多少？',
    '{pct}% of {macs} MACs: a conv weight is used at every position of its map, an FC weight once. See the per-block bars.':
        '{macs} 次 MAC 中的 {pct}%：卷积的一个权重在特征图的每个位置都被使用，全连接层的权重只用一次。见各块的柱状图。',
    'Which conv block of {variant} holds the most parameters?':
        '{variant} 的哪一个卷积块参数最多？',
    'Parameters per block: {blocks}. The deepest blocks have the most channels. See the per-block bars.':
        '每块的参数量：{blocks}。最深的块通道最多。见各块的柱状图。',
    '{deep} has {n} more weight layers than {shallow}. How many million more parameters?':
        '{deep} 比 {shallow} 多 {n} 个权重层。参数多出多少百万？',
    '{deep}: {pb} parameters, {shallow}: {pa}; the difference is {d}, a small part of either, because most parameters sit in the FC layers. See the table of all variants.':
        '{deep}：{pb} 个参数，{shallow}：{pa}；相差 {d}，只占两者的一小部分，因为大部分参数在全连接层里。见所有变体的表格。',
    "Three stacked 3×3 convolutions see 7×7, like one 7×7 convolution. With 64 channels in and out (no biases), what percentage of the 7×7's weights do they save?":
        '三个堆叠的 3×3 卷积和一个 7×7 卷积一样看到 7×7。输入输出都是 64 个通道（不计偏置）时，它们比 7×7 节省百分之多少的权重？',
    '3 × 3·3·64·64 = {stack} weights against 7·7·64·64 = {single}: 27C² against 49C², {pct}% fewer, and three non-linearities instead of one. See the comparison at the top.':
        '3 × 3·3·64·64 = {stack} 个权重，对比 7·7·64·64 = {single}：27C² 对 49C²，少 {pct}%，而且有三个非线性而不是一个。见页面顶部的对比。',
    'How many pixels wide is the field that five stacked 3×3 convolutions see?':
        '五个堆叠的 3×3 卷积能看到多少像素宽的区域？',
    'Each 3×3 layer adds 2 pixels: 1 + 5 × 2 = {rf}. See the growth curve.':
        '每个 3×3 层增加 2 个像素：1 + 5 × 2 = {rf}。见增长曲线。',
    'How many input pixels wide is the receptive field of a {layer} unit in {variant}?':
        '{variant} 中 {layer} 的一个单元，其感受野有多少个输入像素宽？',
    '{layer}: {rf} px (effective stride {jump} px: each pool doubles how much a 3×3 adds). See the receptive fields of the real network.':
        '{layer}：{rf} 像素（有效步长 {jump} 像素：每个池化都使一个 3×3 增加的量翻倍）。见真实网络的感受野。',
    'And a pool5 unit of {variant}: how many input pixels wide is its receptive field?':
        '那么 {variant} 的 pool5 单元呢：它的感受野有多少个输入像素宽？',
    'pool5: {rf} px for a {size} px input: one unit can see most or all of the image. See the receptive fields of the real network.':
        'pool5：输入 {size} 像素时为 {rf} 像素：一个单元能看到图像的大部分甚至全部。见真实网络的感受野。',
    'How many feature maps (channels) does conv1_1 of {variant} produce?':
        '{variant} 的 conv1_1 输出多少张特征图（通道）？',
    'One map per filter: {n}. See the tiled grid of conv1_1.':
        '每个滤波器一张图：{n}。见 conv1_1 的拼图。',
    'How many pixels wide is each pool5 feature map for a {size} px input?':
        '输入为 {size} 像素时，每张 pool5 特征图有多少像素宽？',
    'Five max-pools halve the side five times: {size} / 32 = {side}. See the grid of pool5.':
        '五个最大池化把边长减半五次：{size} / 32 = {side}。见 pool5 的拼图。',
    "Grad-CAM at {layer} is computed on that layer's map. For a {size} px input, how many cells wide is it?":
        '{layer} 处的 Grad-CAM 是在该层的特征图上计算的。输入为 {size} 像素时，它有多少个格子宽？',
    "{layer}'s output is {shape}: the heatmap is {side}×{side} cells, stretched over the image. See the Grad-CAM overlay.":
        '{layer} 的输出为 {shape}：热力图是 {side}×{side} 个格子，拉伸后覆盖在图像上。见 Grad-CAM 叠加图。',
    'How many input pixels apart are the centres of two neighbouring cells of that map?':
        '这张图上相邻两个格子的中心相距多少个输入像素？',
    'The effective stride of {layer}: four pools of stride 2 give 2⁴ = {jump} px. Grad-CAM can be no finer than that. See the blocky overlay.':
        '{layer} 的有效步长：四个步长为 2 的池化得到 2⁴ = {jump} 像素。Grad-CAM 不可能比这更精细。见块状的叠加图。',
    'At test time fc6 becomes a convolution. How many pixels wide is its kernel?':
        '测试时 fc6 变成一个卷积。它的卷积核有多少像素宽？',
    "fc6 reads pool5's {k}×{k} grid at the training size, so it becomes a {k}×{k} convolution; fc7 and fc8 become 1×1. See the conversion table.":
        '在训练尺寸下 fc6 读取 pool5 的 {k}×{k} 网格，所以它变成一个 {k}×{k} 卷积；fc7 和 fc8 变成 1×1。见转换表。',
    'Fed a {size}×{size} px image, how many positions wide is the class-score map?':
        '输入一张 {size}×{size} 像素的图像时，类别得分图有多少个位置宽？',
    'pool5 is {p}×{p} at {size} px; a {k}×{k} fc6 fits {p} − {k} + 1 = {side} times across. See the class-score map.':
        '{size} 像素时 pool5 为 {p}×{p}；一个 {k}×{k} 的 fc6 横向能放 {p} − {k} + 1 = {side} 次。见类别得分图。',
    'Which bundled mini VGG has the best held-out accuracy on the shapes?':
        '随应用附带的哪个迷你 VGG 在形状留出集上的准确率最高？',
    'Held-out accuracy of the shipped checkpoints: {accs}. One seed each: train them yourself with several seeds (the depth experiment) before you call it.':
        '附带检查点的留出集准确率：{accs}。每个只有一个随机种子：下结论之前，请自己用多个种子训练它们（深度实验）。',
    'Which class will the network put first for this image?':
        '对这张图像，网络会把哪个类别排在第一？',
    '{label} at {pct}%. See the chart of the most likely classes.':
        '{label}，{pct}%。见最可能类别的图表。',
    "How sure will it be: the top class's probability in %?":
        '它会有多确定：排第一的类别的概率是百分之多少？',
    '{pct}% for {label}; the other {n} classes share the rest. See the chart of the most likely classes.':
        '{label} 为 {pct}%；其余 {n} 个类别分享剩下的概率。见最可能类别的图表。',
}
